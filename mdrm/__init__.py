"""mdrm: monthly situation report of a local coordination group (Mesa) of the R4V response, from the 5W export."""

__version__ = "0.1.0"


def data_path(*parts: str):
    """A file or folder shipped inside the package (pyproject.toml's package-data), found through
    `importlib.resources`, so that an installed wheel finds it as an editable install does; a `Path`
    (a wheel installs unzipped), for the readers that need one (Jinja2's and nbconvert's loaders)."""
    from importlib import resources
    from pathlib import Path

    return Path(str(resources.files("mdrm").joinpath(*parts)))
