"""The demo PBX: drop the request into the simulator's inbox and wait for its answer."""
from __future__ import annotations

from pathlib import Path

from integrations.pbx_drivers.base import RINGING_USER, DriverConfig, DriverError, DriverResult
from integrations.simulator.clicktocall import place_call, wait_for_call

INBOX = "click_to_call"  # simulate_pbx --dir DIR polls DIR/click_to_call


class SimulatorDriver:
    name = "simulator"
    # The simulator answers with the Call(C:N) number its CallFlow log uses.
    reference_is_log_call_id = True

    def __init__(self, config: DriverConfig):
        if not config.simulator_dir:
            raise DriverError("the simulator driver has no simulator directory configured")
        self.config = config
        self.inbox = Path(config.simulator_dir) / INBOX

    def originate(self, *, user: str, number: str, caller_id: str | None = None) -> DriverResult:
        try:
            request_id = place_call(self.inbox, user=user, number=number, caller_id=caller_id)
        except (ValueError, OSError) as exc:
            raise DriverError(f"the simulated PBX cannot take the request: {exc}") from None
        try:
            call_id = wait_for_call(self.inbox, request_id, timeout=self.config.timeout_seconds)
        except TimeoutError:
            # Withdraw the request so a simulator started later does not ring the user out of the blue.
            (self.inbox / f"{request_id}.json").unlink(missing_ok=True)
            raise DriverError(f"the simulated PBX did not answer within {self.config.timeout_seconds:g} s "
                              f"(is simulate_pbx running on {self.config.simulator_dir}?)") from None
        except ValueError as exc:
            raise DriverError(f"the simulated PBX refused the call: {exc}") from None
        finally:
            for suffix in (".done", ".error"):
                (self.inbox / f"{request_id}{suffix}").unlink(missing_ok=True)
        return DriverResult(reference=str(call_id), status=RINGING_USER)
