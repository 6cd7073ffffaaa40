"""`fairmatch match train`: the second-stage model learned from mediators' decisions."""

from __future__ import annotations
