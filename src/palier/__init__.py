"""Palier: assess, certify and develop digital-health competences."""

__version__ = "0.1.0"
