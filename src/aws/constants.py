# Bytes read or written at a time when streaming an object.
CHUNK_BYTES = 256 * 1024
