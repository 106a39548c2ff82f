"""News archive search: from saved pages to a searchable Whoosh index.

The package is laid out in the order data flows through it:
sources -> clean -> extract -> article -> pipeline -> store/schema -> search -> cli.
"""

__version__ = "0.1.0"
