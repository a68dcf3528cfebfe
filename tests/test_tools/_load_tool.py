"""Import a script under tools/ as a module (tools/ is not a package)."""
import importlib.util
import os.path as osp

from tests.helpers import REPO_ROOT


def load_tool(relpath: str):
    path = osp.join(REPO_ROOT, 'tools', relpath)
    name = 'tool_' + osp.splitext(osp.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
