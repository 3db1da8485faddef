"""The MongoDB adapter of the repository contract (``lnk.store.base``)."""

from lnk.store.mongo.store import MongoStore

__all__ = ["MongoStore"]
