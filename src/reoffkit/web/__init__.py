"""The web application: the only code that imports Django."""
