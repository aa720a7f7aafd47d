"""Adapters: the only code in the package that talks to the outside world."""
