"""Medical documents at rest: where they are kept (storage), how they are sealed (crypto), how they are
checked for malware (scanning) and cleaned (cleaning), and the vault that joins storage and crypto.

`intake.uploads` takes a family's file through all of it; `intake.documents.upkeep` holds the
background work (retrying scans, sweeping orphans, verifying, rotating keys).
"""
