"""Screens of the data exchange (models.exchange): the county's dashboard of its townships."""
