; Tags for Rust.
; Adapted from tree-sitter-rust 0.24.2 queries/tags.scm (MIT License,
; Copyright (c) 2017 Maxim Sokolov). Additions for glm-lsp: constants, statics,
; path calls (`Type::new()`), struct literals and type identifiers as references.
; Order matters: the earlier pattern's category wins for the same name and line.

; ADT definitions

(struct_item
    name: (type_identifier) @name) @definition.class

(enum_item
    name: (type_identifier) @name) @definition.class

(union_item
    name: (type_identifier) @name) @definition.class

; type aliases

(type_item
    name: (type_identifier) @name) @definition.class

; method definitions

(declaration_list
    (function_item
        name: (identifier) @name) @definition.method)

(declaration_list
    (function_signature_item
        name: (identifier) @name) @definition.method)

; function definitions

(function_item
    name: (identifier) @name) @definition.function

; trait definitions
(trait_item
    name: (type_identifier) @name) @definition.interface

; module definitions
(mod_item
    name: (identifier) @name) @definition.module

; macro definitions

(macro_definition
    name: (identifier) @name) @definition.macro

(const_item
    name: (identifier) @name) @definition.constant

(static_item
    name: (identifier) @name) @definition.constant

; references

(call_expression
    function: (identifier) @name) @reference.call

(call_expression
    function: (field_expression
        field: (field_identifier) @name)) @reference.call

(call_expression
    function: (scoped_identifier
        name: (identifier) @name)) @reference.call

(call_expression
    function: (generic_function
        function: [
          (identifier) @name
          (field_expression field: (field_identifier) @name)
          (scoped_identifier name: (identifier) @name)
        ])) @reference.call

(macro_invocation
    macro: (identifier) @name) @reference.call

; `Type::new()`: the path is a reference too
(call_expression
    function: (scoped_identifier
        path: (identifier) @name)) @reference.type

; implementations

(impl_item
    trait: (type_identifier) @name) @reference.implementation

(impl_item
    type: (type_identifier) @name
    !trait) @reference.implementation

(struct_expression
    name: (type_identifier) @name) @reference.class

(type_identifier) @name @reference.type
