"""The hash-chained audit log: every write appends an entry whose hash covers the previous entry's hash."""
