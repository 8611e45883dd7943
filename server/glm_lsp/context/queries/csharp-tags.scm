; Tags for C#. Written for glm-lsp (the tree-sitter-c-sharp 0.23.5 wheel ships
; no tags query); node and field names follow that grammar.
; Order matters: the earlier pattern's category wins for the same name and line.

(class_declaration name: (identifier) @name) @definition.class

(interface_declaration name: (identifier) @name) @definition.interface

(struct_declaration name: (identifier) @name) @definition.struct

(record_declaration name: (identifier) @name) @definition.record

(enum_declaration name: (identifier) @name) @definition.enum

(delegate_declaration name: (identifier) @name) @definition.type

(method_declaration name: (identifier) @name) @definition.method

(constructor_declaration name: (identifier) @name) @definition.constructor

(property_declaration name: (identifier) @name) @definition.property

(event_declaration name: (identifier) @name) @definition.property

(local_function_statement name: (identifier) @name) @definition.function

(namespace_declaration
  name: [
    (identifier) @name
    (qualified_name name: (identifier) @name)
  ]) @definition.module

(file_scoped_namespace_declaration
  name: [
    (identifier) @name
    (qualified_name name: (identifier) @name)
  ]) @definition.module

(field_declaration
  (modifier "const")
  (variable_declaration
    (variable_declarator name: (identifier) @name))) @definition.constant

; References: calls.

(invocation_expression
  function: [
    (identifier) @name
    (generic_name (identifier) @name)
    (member_access_expression name: (identifier) @name)
    (member_access_expression name: (generic_name (identifier) @name))
  ]) @reference.call

; References: object creation.

(object_creation_expression
  type: [
    (identifier) @name
    (generic_name (identifier) @name)
    (qualified_name name: (identifier) @name)
    (qualified_name name: (generic_name (identifier) @name))
  ]) @reference.class

; References: base types and types in declarations.

(base_list
  [
    (identifier) @name
    (generic_name (identifier) @name)
    (qualified_name name: (identifier) @name)
  ]) @reference.class

(type_argument_list (identifier) @name) @reference.type

(variable_declaration type: [
    (identifier) @name
    (generic_name (identifier) @name)
  ]) @reference.type

(parameter type: [
    (identifier) @name
    (generic_name (identifier) @name)
  ]) @reference.type

(property_declaration type: [
    (identifier) @name
    (generic_name (identifier) @name)
  ]) @reference.type

(method_declaration returns: [
    (identifier) @name
    (generic_name (identifier) @name)
  ]) @reference.type

(type_parameter_constraint (type (identifier) @name)) @reference.type

(using_directive (identifier) @name) @reference.module

(using_directive (qualified_name name: (identifier) @name)) @reference.module
