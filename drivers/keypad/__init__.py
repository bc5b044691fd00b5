"""Evaluation keypads (服务评价器, 好差评) on an RS-485 bus: the KP1 protocol and the bus
master that polls them."""
