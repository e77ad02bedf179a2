"""papercli: daily paper digests from Hugging Face Daily Papers and arXiv."""

__version__ = "0.1.0"
