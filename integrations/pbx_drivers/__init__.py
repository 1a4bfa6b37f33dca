"""Click-to-call drivers (plain Python, no Django): one class per kind of PBX call control.

``driver_for(kind, config).originate(user=…, number=…, caller_id=…)`` returns a DriverResult or
raises DriverError with a readable reason; every network wait is bounded by the config's timeout.
"""
from integrations.pbx_drivers.ari import AriDriver
from integrations.pbx_drivers.base import RINGING_USER, Driver, DriverConfig, DriverError, DriverResult
from integrations.pbx_drivers.simulator import SimulatorDriver
from integrations.pbx_drivers.threecx import ThreeCxDriver

DRIVERS: dict[str, type] = {cls.name: cls for cls in (SimulatorDriver, ThreeCxDriver, AriDriver)}


def driver_for(kind: str, config: DriverConfig) -> Driver:
    cls = DRIVERS.get(kind)
    if cls is None:
        raise DriverError(f"unknown click-to-call driver {kind!r}; known: {', '.join(sorted(DRIVERS))}")
    return cls(config)


__all__ = ["DRIVERS", "RINGING_USER", "AriDriver", "Driver", "DriverConfig", "DriverError", "DriverResult",
           "SimulatorDriver", "ThreeCxDriver", "driver_for"]
