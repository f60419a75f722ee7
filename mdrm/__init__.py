"""mdrm: monthly situation report of the MDRM Tacna from the R4V 5W export."""

__version__ = "0.1.0"
