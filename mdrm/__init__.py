"""mdrm: monthly situation report of a local coordination group (Mesa) of the R4V response, from the 5W export."""

__version__ = "0.1.0"
