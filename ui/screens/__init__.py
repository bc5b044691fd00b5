"""One module per screen of the visit; each is a thin view the window drives."""
