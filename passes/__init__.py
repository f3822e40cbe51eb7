"""ptofix passes, one per module (installed as ``ptofix.passes``). See ptofix/pass_manager.py."""
