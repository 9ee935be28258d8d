"""Qt widgets, dialogs and item models. No SQL here: views talk to models/."""
