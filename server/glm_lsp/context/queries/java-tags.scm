; Tags for Java.
; Adapted from tree-sitter-java 0.23.5 queries/tags.scm (MIT License,
; Copyright (c) 2017 Ayman Nadeem). Additions for glm-lsp: enums, records,
; annotation types, constructors, constants and type identifiers as references.
; Order matters: the earlier pattern's category wins for the same name and line.

(class_declaration
  name: (identifier) @name) @definition.class

(record_declaration
  name: (identifier) @name) @definition.class

(enum_declaration
  name: (identifier) @name) @definition.enum

(annotation_type_declaration
  name: (identifier) @name) @definition.interface

(method_declaration
  name: (identifier) @name) @definition.method

(constructor_declaration
  name: (identifier) @name) @definition.constructor

(interface_declaration
  name: (identifier) @name) @definition.interface

(field_declaration
  (modifiers "static" "final")
  declarator: (variable_declarator
    name: (identifier) @name)) @definition.constant

; References.

(method_invocation
  name: (identifier) @name
  arguments: (argument_list) @reference.call)

(type_list
  (type_identifier) @name) @reference.implementation

(object_creation_expression
  type: (type_identifier) @name) @reference.class

(object_creation_expression
  type: (generic_type (type_identifier) @name)) @reference.class

(superclass (type_identifier) @name) @reference.class

(type_identifier) @name @reference.type
