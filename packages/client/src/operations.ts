import type { paths } from './generated.js';

/** Every operation of the API as `"METHOD /path"`, straight from the generated OpenAPI types. */
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Path = keyof paths & string;

export type OperationKey = {
  [P in Path]: { [M in Method]: [NonNullable<paths[P][M]>] extends [never] ? never : `${Uppercase<M>} ${P}` }[Method]
}[Path];

export type Operation<K extends OperationKey> = K extends `${infer M} ${infer P}`
  ? P extends Path ? Lowercase<M> extends Method ? NonNullable<paths[P][Lowercase<M>]> : never : never
  : never;

type Responses<K extends OperationKey> = Operation<K> extends { responses: infer R } ? R : never;
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : R extends { content: { [type: string]: infer B } } ? B : never;
type SuccessStatus = 200 | 201 | 202;

/** The success body of an operation (the envelope `{ success, data, pagination? }` for JSON ones). */
export type ResponseOf<K extends OperationKey> = JsonOf<Responses<K>[SuccessStatus & keyof Responses<K>]>;
/** `data` of the success body. */
export type DataOf<K extends OperationKey> = ResponseOf<K> extends { data: infer D } ? D : never;

type Parameters<K extends OperationKey> = Operation<K> extends { parameters: infer P } ? P : never;
export type PathParamsOf<K extends OperationKey> = Parameters<K> extends { path: infer P } ? P : never;
export type RawQueryOf<K extends OperationKey> = Parameters<K> extends { query?: infer Q } ? Q : never;
type RequestBody<K extends OperationKey> = NonNullable<Operation<K> extends { requestBody?: infer R } ? R : never>;
export type BodyOf<K extends OperationKey> = [RequestBody<K>] extends [never] ? never
  : RequestBody<K> extends { content: { 'application/json': infer B } } ? B : never;

/** Query strings carry text: numbers and booleans are accepted where the API parses them. */
export type QueryInput<Q> = {
  [K in keyof Q]?: string extends NonNullable<Q[K]> ? Q[K] | number
    : 'true' extends NonNullable<Q[K]> ? Q[K] | boolean
      : NonNullable<Q[K]> extends ReadonlyArray<infer E> ? Q[K] | E : Q[K];
};

type IfPresent<T, V> = [T] extends [never] ? unknown : [T] extends [undefined] ? unknown : V;

/** What one call takes: path parameters, query and body where the operation has them. */
export type CallInput<K extends OperationKey> =
  & IfPresent<PathParamsOf<K>, { params: PathParamsOf<K> }>
  & IfPresent<RawQueryOf<K>, { query?: QueryInput<NonNullable<RawQueryOf<K>>> }>
  & IfPresent<BodyOf<K>, { body: BodyOf<K> }>
  & { signal?: AbortSignal };

/** Operations whose input has nothing required, so the argument may be left out. */
export type OptionalInput<K extends OperationKey> = Record<never, never> extends CallInput<K> ? [input?: CallInput<K>] : [input: CallInput<K>];
