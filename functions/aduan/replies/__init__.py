"""Replies to citizens on the channel they used: requests on topic ``replies`` (docs/contracts.md)."""
