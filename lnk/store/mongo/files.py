"""File metadata, the file-to-message links used for access checks, and GridFS bytes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, BinaryIO

from gridfs import GridFSBucket
from gridfs.errors import NoFile
from pymongo.database import Database

from lnk.domain.models import FileMeta
from lnk.store.base import BlobStore, FileRepository
from lnk.store.mongo import indexes as ix
from lnk.store.mongo.bulk import insert_ignoring_duplicates
from lnk.store.mongo.codec import file_from_doc, file_to_doc, parse_oid, ref, to_bson_dt
from lnk.store.mongo.units import SessionDatabase

_COPY_CHUNK = 1 << 20
MAX_LINKS_CHECKED = 1000  # messages carrying one file that an access check looks at
OLD_LINK_INDEX = "file_conversation_unique"  # links per conversation, before per message


class MongoFileRepository(FileRepository):
    def __init__(self, db: SessionDatabase) -> None:
        self._files = db[ix.FILES]
        self._links = db[ix.FILE_LINKS]
        self._participants = db[ix.PARTICIPANTS]
        self._messages = db[ix.MESSAGES]

    def create(self, meta: FileMeta) -> FileMeta:
        self._files.insert_one({**file_to_doc(meta), "attached": False})
        return meta

    def get(self, file_id: str) -> FileMeta | None:
        oid = parse_oid(file_id)
        doc = self._files.find_one({"_id": oid}) if oid else None
        return file_from_doc(doc) if doc else None

    def visible_to(self, file_id: str, user_id: str) -> bool:
        oid = parse_oid(file_id)
        if oid is None:
            return False
        user = ref(user_id)
        links = self._links.find({"fileId": oid}, {"messageId": 1, "conversationId": 1, "seq": 1})
        for link in links.limit(MAX_LINKS_CHECKED):
            me = self._participants.find_one(
                {"conversationId": link["conversationId"], "userId": user}, {"clearedSeq": 1}
            )
            if me is None or link["seq"] <= me.get("clearedSeq", 0):
                continue
            hidden = {"_id": link["messageId"], "hiddenFor": user}
            if self._messages.find_one(hidden, {"_id": 1}) is None:
                return True
        return False

    def release(self, file_ids: list[str]) -> list[FileMeta]:
        released = []
        for oid in filter(None, map(parse_oid, file_ids)):
            if self._links.find_one({"fileId": oid}, {"_id": 1}) is not None:
                continue
            doc = self._files.find_one_and_delete({"_id": oid})
            if doc is not None:
                released.append(file_from_doc(doc))
        return released

    def unattached_before(self, cutoff: datetime, limit: int) -> list[FileMeta]:
        docs = (
            self._files.find({"attached": False, "createdAt": {"$lt": to_bson_dt(cutoff)}})
            .sort("createdAt", 1)
            .limit(limit)
        )
        return [file_from_doc(d) for d in docs]

    def bytes_used(self, owner_id: str) -> int:
        total = list(
            self._files.aggregate(
                [
                    {"$match": {"ownerId": ref(owner_id)}},
                    {"$group": {"_id": None, "bytes": {"$sum": "$size"}}},
                ]
            )
        )
        return int(total[0]["bytes"]) if total else 0


def upgrade_file_links(db: Database[Any]) -> None:
    """Once, on a database from before files followed their messages: rebuilds ``fileLinks``
    as one link per (file, message) from the messages not deleted, and marks each file
    attached or not. A database that never had the old index has nothing to upgrade."""
    links = db[ix.FILE_LINKS]
    if OLD_LINK_INDEX not in links.index_information():
        return
    links.drop_index(OLD_LINK_INDEX)
    links.delete_many({})
    carrying = db[ix.MESSAGES].find(
        {"deleted": False, "attachments.0": {"$exists": True}},
        {"attachments._id": 1, "conversationId": 1, "seq": 1},
    )
    attached = set()
    for message in carrying:
        docs = [
            {
                "fileId": a["_id"],
                "messageId": message["_id"],
                "conversationId": message["conversationId"],
                "seq": message["seq"],
            }
            for a in message["attachments"]
        ]
        insert_ignoring_duplicates(links, docs)
        attached.update(d["fileId"] for d in docs)
    files = db[ix.FILES]
    files.update_many({"attached": {"$exists": False}}, {"$set": {"attached": False}})
    files.update_many({"_id": {"$in": list(attached)}}, {"$set": {"attached": True}})


class GridFSBlobStore(BlobStore):
    """Bytes in GridFS (bucket ``blobs``) with the storage key as the GridFS file id.

    Uploads go through ``open_upload_stream_with_id`` in 1 MiB pieces (never the whole file in
    memory); deletion removes the ``files`` document and its ``chunks`` directly, which is what
    ``GridFSBucket.delete`` does, minus its NoFile error for an absent key."""

    def __init__(self, db: Database[Any], bucket_name: str = ix.BLOB_BUCKET) -> None:
        self._db = db
        self._bucket_name = bucket_name
        self._gridfs: GridFSBucket | None = None
        self._files = db[f"{bucket_name}.files"]
        self._chunks = db[f"{bucket_name}.chunks"]

    @property
    def _bucket(self) -> GridFSBucket:
        if self._gridfs is None:  # on first use: the store opens without touching GridFS
            self._gridfs = GridFSBucket(self._db, bucket_name=self._bucket_name)
        return self._gridfs

    def put(self, key: str, stream: BinaryIO, content_type: str) -> int:
        self.delete(key)  # replacing: chunks of an older upload would collide on (files_id, n)
        upload = self._bucket.open_upload_stream_with_id(
            key, key, metadata={"contentType": content_type}
        )
        size = 0
        try:
            while chunk := stream.read(_COPY_CHUNK):
                upload.write(chunk)
                size += len(chunk)
        except BaseException:
            upload.abort()
            raise
        upload.close()
        return size

    def open(self, key: str) -> BinaryIO:
        try:
            return self._bucket.open_download_stream(key)  # type: ignore[return-value]
        except NoFile:
            raise FileNotFoundError(key) from None

    def size(self, key: str) -> int:
        doc = self._files.find_one({"_id": key}, {"length": 1})
        if doc is None:
            raise FileNotFoundError(key)
        return int(doc["length"])

    def delete(self, key: str) -> None:
        self._files.delete_one({"_id": key})
        self._chunks.delete_many({"files_id": key})
