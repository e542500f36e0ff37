"""Configs: YAML with units, validated against schema.yaml before anything runs."""

from .loader import Config, load_config
from .schema import ConfigError, schema, structural_values

__all__ = ["Config", "ConfigError", "load_config", "schema", "structural_values"]
