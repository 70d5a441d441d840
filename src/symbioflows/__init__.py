"""symbioflows: industrial symbiosis — find, price, route and prove exchanges of waste,
by-products, surplus energy and water between companies, and the circular chains between them.
"""

from __future__ import annotations

import logging

from symbioflows import errors

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["__version__", "errors"]
