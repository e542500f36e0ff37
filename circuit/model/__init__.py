"""The model: populations, receptors, volume fields, connectivity, plasticity and the
behaving agent, as Brian2 equations and builders (docs/model.md)."""
