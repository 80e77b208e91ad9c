"""The free-text answers of the unscored modules, read and searched by analysts and admins."""

from __future__ import annotations
