"""The hall's service windows (窗口) at the kiosk: the KP1 keypad at each window,
whose caller keys drive the hall and whose votes become evaluations.

- `keypads`: `WindowService`, the thread that owns the keypad bus;
- `caller_keys`: what a staff key pressed at a window asks of the hall;
- `opening`: the windows and their keypads, as the settings describe them.
"""
