"""Build workspaces: processes that build one structure at the same time compile it once,
each runs in its own directory, and a clock-order difference does not recompile."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

from circuit.builds import compiling, workspace

#: A small standalone network built through circuit's workspaces; prints what happened.
BUILD = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    import numpy as np
    from brian2 import NeuronGroup, SpikeMonitor, Network, device, ms, seed
    from circuit.builds import device as devices, workspace

    root = Path(sys.argv[1])
    ws = workspace.claim(root)
    devices.activate("standalone", ws.directory)
    seed(4)
    group = NeuronGroup(20, "dv/dt = (1.2 - v) / (10*ms) + 0.3 * xi / sqrt(ms) : 1",
                        threshold="v > 1", reset="v = 0", method="euler")
    slow = NeuronGroup(2, "dw/dt = -w / (50*ms) : 1", dt=0.5 * ms)  # a second clock
    slow.run_regularly("w += 1", dt=2 * ms)
    spikes = SpikeMonitor(group)
    Network(group, slow, spikes).run(50 * ms)
    compiled, _ = workspace.build(device, ws, devices.MAKE_JOBS)
    device.run(directory=str(ws.directory), with_output=False)
    print(json.dumps({"compiled": compiled, "directory": str(ws.directory),
                      "spikes": int(spikes.num_spikes)}))
""")


def _start(root):
    return subprocess.Popen([sys.executable, "-c", BUILD, str(root)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _result(process) -> dict:
    out, err = process.communicate(timeout=900)
    assert process.returncode == 0, err[-2000:]
    return json.loads(out.strip().splitlines()[-1])


#: Processes that build one structure at the same time in the concurrency test.
CONCURRENT = 3


def test_concurrent_processes_compile_a_structure_once_in_their_own_workspaces(tmp_path):
    processes = [_start(tmp_path) for _ in range(CONCURRENT)]
    results = [_result(process) for process in processes]
    assert sorted(r["compiled"] for r in results) == [False] * (CONCURRENT - 1) + [True]
    assert len({r["directory"] for r in results}) == CONCURRENT
    assert len({r["spikes"] for r in results}) == 1 and results[0]["spikes"] > 0  # one network
    assert (tmp_path / "shared" / workspace.DIGEST_FILE).is_file()
    directory = tmp_path / results[0]["directory"]
    unity = sorted(p.name for p in directory.glob(compiling.UNITY_PREFIX + "*.cpp"))
    assert unity == [compiling.UNITY_PREFIX + n for n in ("0.cpp", "1.cpp", "setup.cpp")]
    commands = subprocess.run(["make", "-n", "-B", "objects.o", "circuit_unity_0.o",
                               "circuit_unity_setup.o"],
                              cwd=directory, capture_output=True, text=True)
    compiled = {line.rsplit(" -o ", 1)[-1]: line for line in commands.stdout.splitlines()
                if " -o " in line}  # (make may first print its dependency scan)
    assert "-O0" in compiled["objects.o"] and "-O3" not in compiled["objects.o"]
    assert "-O0" in compiled["circuit_unity_setup.o"]
    assert "-O3" in compiled["circuit_unity_0.o"]
    stateupdater = "code_objects/neurongroup_stateupdater_codeobject"
    assert f'#include "{stateupdater}.cpp"' in "".join(
        (directory / name).read_text() for name in unity)  # every code object in a unit
    assert not list(directory.glob("code_objects/*.o"))  # ... and none compiled alone
    later = _result(_start(tmp_path))  # a fresh process: a workspace is free again
    assert later["compiled"] is False and later["spikes"] == results[0]["spikes"]

    broken = tmp_path / "broken"  # a unity build that fails compiles source by source
    shutil.copytree(tmp_path / "shared", broken)
    for product in [broken / "main", *broken.glob("*.o")]:
        product.unlink()
    (broken / "circuit_unity_0.cpp").write_text("this is not C++\n")
    compiling.make(broken, jobs=2)
    assert (broken / "main").is_file() and list(broken.glob("code_objects/*.o"))
    assert (broken / "makefile").read_text() == (broken / compiling.SOURCES_MAKEFILE).read_text()


def test_the_main_queue_is_put_in_one_order():
    class Device:
        main_queue = [("set_by_single_value", ("_array_b_clock_timestep", 0, "0")),
                      ("set_by_single_value", ("_array_b_clock_t", 0, "0.0")),
                      ("set_by_single_value", ("_array_defaultclock_dt", 0, "0.001")),
                      ("set_by_single_value", ("_array_a_clock_timestep", 0, "0")),
                      ("set_by_single_value", ("_array_a_clock_t", 0, "0.0")),
                      ("run_network", ("net", [])),
                      ("set_by_single_value", ("_array_v", 0, "1.0"))]

    device = Device()
    workspace.canonical_main_queue(device, 1e-4)
    assert device.main_queue[0] == ("set_by_single_value", ("_array_defaultclock_dt", 0, "0.0001"))
    names = [entry[1][0] for entry in device.main_queue[1:5]]
    assert names == ["_array_a_clock_t", "_array_a_clock_timestep", "_array_b_clock_t",
                     "_array_b_clock_timestep"]
    assert device.main_queue[5][0] == "run_network"


#: Exits 3 if the lock file given is held by another process, 0 if it could take it.
TRY_LOCK = ("import sys; from filelock import FileLock, Timeout\n"
            "try:\n    FileLock(sys.argv[1]).acquire(timeout=0)\n"
            "except Timeout:\n    sys.exit(3)\n")


def _published(root, digest: str) -> None:
    """The shared project of structure `root` as a build of sources `digest` leaves it."""
    shared = root / workspace.SHARED
    shared.mkdir(parents=True, exist_ok=True)
    (shared / workspace.DIGEST_FILE).write_text(digest)


def test_a_file_published_into_the_shared_project_is_written_under_its_lock(tmp_path):
    root = tmp_path / "structure"
    mine = workspace.claim(root)
    _published(root, "sources-a")
    held = []

    def write(shared):
        probe = subprocess.run([sys.executable, "-c", TRY_LOCK, f"{shared}.lock"])
        held.append(probe.returncode == 3)
        (shared / "blueprint.json").write_text("{}")

    assert workspace.publish(mine, write, "sources-a")
    mine.release()
    assert held == [True]  # no other process mirrors the project meanwhile
    assert (root / workspace.SHARED / "blueprint.json").read_text() == "{}"


def test_nothing_is_published_for_a_build_another_has_replaced(tmp_path):
    root = tmp_path / "structure"
    mine = workspace.claim(root)
    _published(root, "sources-b")  # another process compiled other sources since
    (root / workspace.SHARED / "blueprint.json").write_text("the other build's")
    written = []
    assert not workspace.publish(mine, lambda shared: written.append(shared), "sources-a")
    mine.release()
    assert written == []
    assert (root / workspace.SHARED / "blueprint.json").read_text() == "the other build's"


def test_mirroring_skips_files_another_process_is_still_writing(tmp_path):
    source, target = tmp_path / "shared", tmp_path / "ws0"
    source.mkdir()
    (source / "main").write_text("binary")
    (source / "blueprint-1.part").write_text("half a blueprint")
    workspace._mirror(source, target)
    assert sorted(p.name for p in target.iterdir()) == ["main"]
