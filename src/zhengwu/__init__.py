"""zhengwu (政务): a platform for Chinese local government and the bodies around it."""

__version__ = "0.1.0"
