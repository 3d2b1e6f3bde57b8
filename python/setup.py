"""Bundles librayforce.so into the wheel (rayforce/lib/) when one is found:
$RAYFORCE_LIB, else ../target/release/librayforce.so (run `make` first).
Without one the package still installs and looks for the library at import
($RAYFORCE_LIB, then the system loader)."""
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))


def built_library():
    for path in (os.environ.get("RAYFORCE_LIB"), os.path.join(HERE, "..", "target", "release", "librayforce.so")):
        if path and os.path.exists(path):
            return path
    return None


class BuildWithLibrary(build_py):
    def run(self):
        super().run()
        lib = built_library()
        if lib:
            dest = os.path.join(self.build_lib, "rayforce", "lib")
            os.makedirs(dest, exist_ok=True)
            shutil.copyfile(lib, os.path.join(dest, "librayforce.so"))  # follows the symlinks


class PlatformDistribution(Distribution):
    """A wheel holding a native library is tagged for this platform."""

    def has_ext_modules(self):
        return built_library() is not None


# Inside the repository, build files go under target/ (never into the source tree).
REPO_TARGET = os.path.join(HERE, "..", "target") if os.path.exists(os.path.join(HERE, "..", "Cargo.toml")) else None
options = {}
if REPO_TARGET:
    os.makedirs(os.path.join(REPO_TARGET, "python-egg"), exist_ok=True)
    options = {"build": {"build_base": os.path.join(REPO_TARGET, "python-build")},
               "egg_info": {"egg_base": os.path.join(REPO_TARGET, "python-egg")}}

setup(cmdclass={"build_py": BuildWithLibrary}, distclass=PlatformDistribution, options=options)
