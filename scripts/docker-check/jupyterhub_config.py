# JupyterHub configuration of make docker-check's class (scripts/docker-check.sh): a real
# JupyterHub with configurable-http-proxy, DockerSpawner starting the course image for each
# student, and the test authenticator (any user name, one shared password). Everything listens on
# 127.0.0.1 with host networking (the test machine reaches no registry and needs no bridge).
# Settings come from the environment that docker-check.sh sets:
#   CLASS_IMAGE           the image to spawn (nmatools:latest)
#   CLASS_PORT            the hub's public port (the proxy); the proxy's API and the hub use the
#                         two ports after it
#   CLASS_SERVER_PORTS    LO-HI, the ports the students' servers may take
#   CLASS_PASSWORD        the test authenticator's password
#   CLASS_STATE           directory for the hub's database and cookie secret
#   CLASS_MEM_LIMIT       memory limit of each student's container (e.g. 2G)
#   CLASS_COLD_CACHE      1: each server starts with an empty Go build cache (GOCACHE in /tmp),
#                         to time a first figure without the image's warm cache
import os
import socket

from dockerspawner import DockerSpawner

c = get_config()  # noqa: F821 (JupyterHub defines it)
port = int(os.environ["CLASS_PORT"])
lo, hi = (int(p) for p in os.environ["CLASS_SERVER_PORTS"].split("-"))
state = os.environ["CLASS_STATE"]


def free_port(taken):
    """A port of LO-HI that no other server has and nothing listens on."""
    for p in range(lo, hi + 1):
        if p in taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", p))
            except OSError:
                continue
        return p
    raise RuntimeError(f"no free port in {lo}-{hi} for another single-user server")


class HostNetworkSpawner(DockerSpawner):
    """DockerSpawner on the host's network: each server gets its own port from the class's range
    (Docker cannot map ports there), and the hub reaches it on 127.0.0.1."""

    taken = set()

    async def start(self):
        self.port = free_port(HostNetworkSpawner.taken)
        HostNetworkSpawner.taken.add(self.port)
        try:
            return await super().start()
        except Exception:
            HostNetworkSpawner.taken.discard(self.port)
            raise

    async def stop(self, now=False):
        try:
            return await super().stop(now=now)
        finally:
            HostNetworkSpawner.taken.discard(self.port)

    async def get_ip_and_port(self):
        return "127.0.0.1", self.port


c.JupyterHub.bind_url = f"http://127.0.0.1:{port}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port + 1}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{port + 2}"
c.JupyterHub.hub_connect_url = f"http://127.0.0.1:{port + 2}"
c.JupyterHub.db_url = f"sqlite:///{state}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{state}/jupyterhub_cookie_secret"
c.ConfigurableHTTPProxy.pid_file = f"{state}/proxy.pid"
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = os.environ["CLASS_PASSWORD"]
c.Authenticator.allow_all = True

c.JupyterHub.spawner_class = HostNetworkSpawner
c.DockerSpawner.image = os.environ["CLASS_IMAGE"]
c.DockerSpawner.network_name = "host"
c.DockerSpawner.use_internal_ip = True
c.DockerSpawner.ip = "127.0.0.1"
c.DockerSpawner.remove = True
c.DockerSpawner.pull_policy = "never"
c.DockerSpawner.name_template = "nmatools-class-{username}"
# Each student's home (the server root with their working copies) on their own volume.
c.DockerSpawner.volumes = {"nmatools-class-{username}": "/home/jovyan"}
c.DockerSpawner.mem_limit = os.environ.get("CLASS_MEM_LIMIT", "2G")
if os.environ.get("CLASS_COLD_CACHE") == "1":
    c.DockerSpawner.environment = {"GOCACHE": "/tmp/go-cache-empty"}
c.Spawner.default_url = "/lab/tree/W1D1_Tutorial2.ipynb"
c.Spawner.start_timeout = 600
c.Spawner.http_timeout = 600
