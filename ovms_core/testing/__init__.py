"""Test support for plugin authors: model builders, a server runner and contract suites."""
