/**
 * Every enum of the schema is built one way: `builder.enumType(name, { values: {…} satisfies EnumValues<Value> })`,
 * the values object of Pothos' guide, one entry per value of the service's type (`Value`), named as the schema
 * names it. A value added to the service's type does not compile until the schema names it, a name that is not
 * one of its values neither, and the enum's TypeScript type is the service's values (no casts).
 */

/** The schema's name of a service value: upper case, with `.` as `_` (run.completed → RUN_COMPLETED). */
type UpperName<Value extends string> = Uppercase<Value extends `${infer Head}.${infer Tail}` ? `${Head}_${UpperName<Tail>}` : Value>;

export interface EnumValue<Value extends string> {
  value: Value;
  description?: string;
  deprecationReason?: string;
}

/** One entry per value of `Value`, named in upper case, or `'as is'` (the name is the value itself). */
export type EnumValues<Value extends string, Naming extends 'UPPER_CASE' | 'as is' = 'UPPER_CASE'> = {
  [V in Value as Naming extends 'as is' ? V : UpperName<V>]: EnumValue<V>;
};
