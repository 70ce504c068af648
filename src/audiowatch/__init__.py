"""AudioWatch: targeted alerts for the Head-Fi.org classifieds."""

__version__ = "0.1.0"
