"""The domain and its events: contract, ingest, sequencing, log, fan-out, picture, advice."""
