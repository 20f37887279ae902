#!/usr/bin/env python3
"""A FedBone client written from proto/fedbone/v1/fedbone.proto alone (no Swift code).

It joins a `fedbone serve` server as one configured client, trains one round with random
embeddings (Forward, then Backward with a small feature gradient, per step), ends the round at
the barrier, runs one Infer and leaves. It proves the wire protocol is usable from another
language; it does not train a real client model.

Needs: python3 with grpcio, protobuf and numpy, and protoc on the PATH (the message classes
are generated from the .proto into a temporary folder at start; the service stubs are plain
grpcio unary calls on the method paths the .proto defines).

Usage:
  python3 tools/python_client.py --server 127.0.0.1:50051 --client depth-0 --token T \
      --embedding-shape 4,4,8 [--ca ca.pem [--cert client.pem --key client-key.pem]] [--steps 2]
"""
import argparse
import importlib
import os
import subprocess
import sys
import tempfile

import grpc
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROTO_DIR = os.path.join(ROOT, "proto")
PROTO = "fedbone/v1/fedbone.proto"


def load_messages():
    """Generates fedbone_pb2 from the .proto with protoc and imports it."""
    out = tempfile.mkdtemp(prefix="fedbone-py-")
    subprocess.run(["protoc", f"-I{PROTO_DIR}", f"--python_out={out}", PROTO], check=True)
    sys.path.insert(0, out)
    return importlib.import_module("fedbone.v1.fedbone_pb2")


def to_wire(pb, array):
    """A float32 numpy array as a fedbone.v1.Tensor (little-endian f32)."""
    array = np.ascontiguousarray(array, dtype="<f4")
    return pb.Tensor(shape=list(array.shape), dtype=pb.DTYPE_F32, data=array.tobytes())


def from_wire(pb, tensor):
    """A fedbone.v1.Tensor (f32, f16 or bf16) as a float32 numpy array."""
    shape = list(tensor.shape)
    if tensor.dtype == pb.DTYPE_F32:
        values = np.frombuffer(tensor.data, dtype="<f4")
    elif tensor.dtype == pb.DTYPE_F16:
        values = np.frombuffer(tensor.data, dtype="<f2").astype(np.float32)
    elif tensor.dtype == pb.DTYPE_BF16:
        values = (np.frombuffer(tensor.data, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
    else:
        raise ValueError(f"unknown dtype {tensor.dtype}")
    return values.reshape(shape)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", required=True, help="host:port")
    parser.add_argument("--client", required=True, help="the configured client name, e.g. depth-0")
    parser.add_argument("--task", help="the client's task (default: the name before the last '-')")
    parser.add_argument("--token", default=os.environ.get("FEDBONE_TOKEN"), help="default: $FEDBONE_TOKEN")
    parser.add_argument("--embedding-shape", required=True, help="per-sample embedding shape, e.g. 4,4,8")
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--ca")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()
    if not args.token:
        parser.error("give --token or set FEDBONE_TOKEN")
    pb = load_messages()
    if args.ca:
        read = lambda path: open(path, "rb").read() if path else None
        credentials = grpc.ssl_channel_credentials(read(args.ca), read(args.key), read(args.cert))
        channel = grpc.secure_channel(args.server, credentials)
    else:
        channel = grpc.insecure_channel(args.server)
    metadata = [("authorization", f"Bearer {args.token}")]

    def call(method, request, response_type, timeout=120):
        stub = channel.unary_unary(f"/fedbone.v1.FedBone/{method}", request_serializer=lambda m: m.SerializeToString(),
                                   response_deserializer=response_type.FromString)
        return stub(request, metadata=metadata, timeout=timeout)

    shape = [int(d) for d in args.embedding_shape.split(",")]
    task = args.task or args.client.rsplit("-", 1)[0]
    join = call("Join", pb.JoinRequest(protocol_version=1, client_name=args.client, task=task, embedding_shape=shape,
                                       response_dtype=pb.DTYPE_F32), pb.JoinResponse)
    print(f"joined: client {join.client_id}, round {join.round} of {join.total_rounds}")
    rng = np.random.default_rng(0)
    ids = dict(client_id=join.client_id, session=join.session)
    round_ = join.round
    for step in range(args.steps):
        embeddings = rng.standard_normal([args.batch] + shape).astype(np.float32) * 0.5
        forward = call("Forward", pb.ForwardRequest(round=round_, step=step, embeddings=to_wire(pb, embeddings), **ids),
                       pb.ForwardResponse)
        features = from_wire(pb, forward.features)
        gradient = np.full(features.shape, 1e-3, dtype=np.float32)
        backward = call("Backward", pb.BackwardRequest(round=round_, step=step, feature_gradient=to_wire(pb, gradient), **ids),
                        pb.BackwardResponse)
        embedding_gradient = from_wire(pb, backward.embedding_gradient)
        assert embedding_gradient.shape == embeddings.shape
        print(f"round {round_} step {step}: features {list(features.shape)}, |dL/dE| {np.abs(embedding_gradient).mean():.3e}")
    end = call("EndRound", pb.EndRoundRequest(round=round_, **ids), pb.EndRoundResponse, timeout=3600)
    print(f"round {round_} aggregated: next round {end.next_round}, finished {end.finished}")
    infer = call("Infer", pb.InferRequest(embeddings=to_wire(pb, rng.standard_normal([1] + shape).astype(np.float32)), **ids),
                 pb.InferResponse)
    print(f"infer: features {list(infer.features.shape)}")
    call("Leave", pb.LeaveRequest(reason="python client done", **ids), pb.LeaveResponse)
    print("left")


if __name__ == "__main__":
    main()
