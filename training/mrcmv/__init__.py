"""MRCMV: background-music retrieval from video frames and voice-over (see training/README.md)."""
