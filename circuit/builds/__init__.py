"""Builds of network structures: Brian2 devices, the compiled C++ projects in the build
cache, the workspaces concurrent processes share safely, and the blueprints that let a
new process run a cached build without generating its code (docs/model.md, "Running").
"""
