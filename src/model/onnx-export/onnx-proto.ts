import protobuf from 'protobufjs';
import type { OnnxModel } from './onnx-types';

/*
 * The subset of onnx.proto (package onnx, proto2) this exporter writes. Field numbers follow the
 * ONNX specification; fields we never write are left out, which does not change the wire format.
 * Repeated numbers are declared packed: protobuf parsers accept packed and unpacked alike, and
 * packed keeps large tree ensembles small.
 */
const ONNX_SUBSET_PROTO = `
syntax = "proto2";
package onnx;

message AttributeProto {
  enum AttributeType {
    UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5;
    FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10;
  }
  optional string name = 1;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  repeated float floats = 7 [packed = true];
  repeated int64 ints = 8 [packed = true];
  repeated bytes strings = 9;
  optional string doc_string = 13;
  optional AttributeType type = 20;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  repeated AttributeProto attribute = 5;
  optional string doc_string = 6;
  optional string domain = 7;
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
    optional string denotation = 3;
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
  optional string denotation = 6;
}

message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
  optional string doc_string = 3;
}

message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}

message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}

message StringStringEntryProto {
  optional string key = 1;
  optional string value = 2;
}

message ModelProto {
  optional int64 ir_version = 1;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
  repeated StringStringEntryProto metadata_props = 14;
}
`;

// Parsing the schema is pure and cheap; it happens once, when this module is first imported.
const modelProtoType = protobuf.parse(ONNX_SUBSET_PROTO, { keepCase: true }).root.lookupType('onnx.ModelProto');

/** Serialises a ModelProto. Throws Error when `model` does not fit the schema. */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const problem = modelProtoType.verify(model);
  if (problem) throw new Error(`invalid ONNX ModelProto: ${problem}`);
  return modelProtoType.encode(modelProtoType.fromObject(model)).finish();
}

/**
 * Parses the subset of a ModelProto this module knows (unknown fields are skipped); 64-bit
 * integers become numbers. Throws Error on bytes that are not a ModelProto.
 */
export function decodeOnnxModel(bytes: Uint8Array): OnnxModel {
  const message = modelProtoType.decode(bytes);
  return modelProtoType.toObject(message, { longs: Number, arrays: true, defaults: false }) as OnnxModel;
}
