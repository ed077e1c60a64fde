"""reoffkit: the youth reoffending toolkit for youth justice services in England and Wales."""

__version__ = "0.1.0"
