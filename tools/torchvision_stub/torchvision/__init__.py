"""A minimal stand-in for torchvision so that timm imports without it.

PyPI's torchvision wheels need CUDA libraries here; timm imports torchvision names at start-up
(data transforms, datasets, FrozenBatchNorm2d) but its Swin Transformer uses none of them.
Every `torchvision.*` submodule is created on demand and every name in it is a placeholder
class that refuses to be instantiated. Only put this folder on PYTHONPATH for fixture scripts
under tools/.
"""
import importlib.abc
import importlib.machinery
import sys
import types

__version__ = "0.0.0-stub"


class _PlaceholderMeta(type):
    """Class attributes (enum members such as InterpolationMode.BILINEAR) read as their names."""

    def __getattr__(cls, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return attr.lower()


def _placeholder(name):
    def refuse(*args, **kwargs):
        raise NotImplementedError(f"torchvision stub: {name} is not available")

    return _PlaceholderMeta(name, (), {"__init__": refuse})


class _StubModule(types.ModuleType):
    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        value = _placeholder(attr)
        setattr(self, attr, value)
        return value


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.startswith("torchvision."):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = _StubModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


sys.meta_path.insert(0, _StubFinder())
