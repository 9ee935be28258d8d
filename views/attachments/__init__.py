"""证据材料 widgets: the attachments of a record, listed and previewed (``attachments_pane``)."""
