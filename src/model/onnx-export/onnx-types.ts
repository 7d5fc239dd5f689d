/*
 * Plain-object shapes of the ONNX messages the exporter writes (field names as in onnx.proto).
 * They are the input of encodeOnnxModel() and the output of decodeOnnxModel().
 */

/** AttributeProto.AttributeType values used here. */
export const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

/** TensorProto.DataType FLOAT. */
export const ELEM_TYPE_FLOAT = 1;

export interface OnnxAttribute {
  readonly name: string;
  readonly type: number;
  readonly f?: number;
  readonly i?: number;
  readonly s?: Uint8Array;
  readonly floats?: readonly number[];
  readonly ints?: readonly number[];
  readonly strings?: readonly Uint8Array[];
}

export interface OnnxNode {
  readonly input: readonly string[];
  readonly output: readonly string[];
  readonly name: string;
  readonly op_type: string;
  readonly domain: string;
  readonly attribute: readonly OnnxAttribute[];
}

/** One dimension: a fixed size or a symbolic name. */
export type OnnxDimension = { readonly dim_value: number } | { readonly dim_param: string };

export interface OnnxValueInfo {
  readonly name: string;
  readonly type: {
    readonly tensor_type: { readonly elem_type: number; readonly shape: { readonly dim: readonly OnnxDimension[] } };
  };
  readonly doc_string?: string;
}

export interface OnnxGraph {
  readonly name: string;
  readonly node: readonly OnnxNode[];
  readonly input: readonly OnnxValueInfo[];
  readonly output: readonly OnnxValueInfo[];
  readonly value_info: readonly OnnxValueInfo[];
  readonly doc_string?: string;
}

export interface OnnxOperatorSetId {
  readonly domain: string;
  readonly version: number;
}

export interface OnnxStringEntry {
  readonly key: string;
  readonly value: string;
}

export interface OnnxModel {
  readonly ir_version: number;
  readonly opset_import: readonly OnnxOperatorSetId[];
  readonly producer_name: string;
  readonly producer_version: string;
  readonly domain?: string;
  readonly model_version?: number;
  readonly doc_string?: string;
  readonly graph: OnnxGraph;
  readonly metadata_props: readonly OnnxStringEntry[];
}
