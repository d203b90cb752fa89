"""megaapi: the Python SDK for Mega-api, the WhatsApp REST service."""

__version__ = "0.1.0"
