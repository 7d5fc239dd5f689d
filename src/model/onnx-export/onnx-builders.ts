import { ATTRIBUTE_TYPE, ELEM_TYPE_FLOAT, type OnnxAttribute, type OnnxDimension, type OnnxValueInfo } from './onnx-types';

const utf8 = new TextEncoder();

/** An INTS attribute. */
export function intsAttribute(name: string, values: readonly number[]): OnnxAttribute {
  return { name, type: ATTRIBUTE_TYPE.INTS, ints: values };
}

/** An INT attribute. */
export function intAttribute(name: string, value: number): OnnxAttribute {
  return { name, type: ATTRIBUTE_TYPE.INT, i: value };
}

/** A FLOATS attribute; values are stored as float32. */
export function floatsAttribute(name: string, values: readonly number[]): OnnxAttribute {
  return { name, type: ATTRIBUTE_TYPE.FLOATS, floats: values };
}

/** A STRING attribute (UTF-8 bytes on the wire). */
export function stringAttribute(name: string, value: string): OnnxAttribute {
  return { name, type: ATTRIBUTE_TYPE.STRING, s: utf8.encode(value) };
}

/** A STRINGS attribute (UTF-8 bytes on the wire). */
export function stringsAttribute(name: string, values: readonly string[]): OnnxAttribute {
  return { name, type: ATTRIBUTE_TYPE.STRINGS, strings: values.map((v) => utf8.encode(v)) };
}

/** A float tensor's ValueInfo; a string dimension is symbolic (e.g. "N"), a number fixed. */
export function floatTensorInfo(name: string, dims: ReadonlyArray<number | string>, docString?: string): OnnxValueInfo {
  const dim: OnnxDimension[] = dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  return {
    name,
    type: { tensor_type: { elem_type: ELEM_TYPE_FLOAT, shape: { dim } } },
    ...(docString === undefined ? {} : { doc_string: docString }),
  };
}
