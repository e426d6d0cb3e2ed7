"""bitmaps commands."""
