"""File metadata, the file-to-conversation links used for access checks, and GridFS bytes."""

from __future__ import annotations

from typing import Any, BinaryIO

from gridfs import GridFSBucket
from gridfs.errors import NoFile
from pymongo.database import Database

from lnk.domain.models import FileMeta
from lnk.store.base import BlobStore, FileRepository
from lnk.store.mongo import indexes as ix
from lnk.store.mongo.codec import file_from_doc, file_to_doc, parse_oid, ref

_COPY_CHUNK = 1 << 20


class MongoFileRepository(FileRepository):
    def __init__(self, db: Database[Any]) -> None:
        self._files = db[ix.FILES]
        self._links = db[ix.FILE_LINKS]
        self._participants = db[ix.PARTICIPANTS]

    def create(self, meta: FileMeta) -> FileMeta:
        self._files.insert_one(file_to_doc(meta))
        return meta

    def get(self, file_id: str) -> FileMeta | None:
        oid = parse_oid(file_id)
        doc = self._files.find_one({"_id": oid}) if oid else None
        return file_from_doc(doc) if doc else None

    def shared_with(self, file_id: str, user_id: str) -> bool:
        oid = parse_oid(file_id)
        if oid is None:
            return False
        conversations = [
            link["conversationId"]
            for link in self._links.find({"fileId": oid}, {"conversationId": 1, "_id": 0})
        ]
        if not conversations:
            return False
        membership = {"conversationId": {"$in": conversations}, "userId": ref(user_id)}
        return self._participants.find_one(membership, {"_id": 1}) is not None


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
