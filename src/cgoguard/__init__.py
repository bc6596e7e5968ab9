"""cgoguard: audit Go code shipped as C libraries and hardened executables."""

__version__ = "0.1.0"
