//! `#[derive(FromJson)]` for the response types of `schema::ops`: one small function per
//! type that takes its fields out of a `serde_json::Value`, instead of serde's visitor
//! machinery (a sequence visitor, a map visitor and a field-name visitor per type, each
//! instantiated per deserializer), which was most of the web bundle's code.
//!
//! It reads the `#[serde(...)]` attributes the types already carry, so the JSON shape is
//! the one serde uses: container `rename_all` ("camelCase", "SCREAMING_SNAKE_CASE"),
//! field `rename`, `default` and `flatten`, variant `rename` and `other`. Anything else
//! in `#[serde(...)]` is about serialising or bounds and is ignored. Missing `Option`
//! fields read as `None`, as with serde.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields, LitStr, parse_macro_input};

#[proc_macro_derive(FromJson, attributes(serde))]
pub fn derive_from_json(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(err) => err.to_compile_error().into(),
    }
}

/// The `#[serde(...)]` keys this derive understands on one item.
#[derive(Default)]
struct SerdeAttrs {
    rename_all: Option<String>,
    rename: Option<String>,
    default: bool,
    flatten: bool,
    other: bool,
}

fn serde_attrs(attrs: &[syn::Attribute]) -> syn::Result<SerdeAttrs> {
    let mut out = SerdeAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            let value = if meta.input.peek(syn::Token![=]) {
                Some(meta.value()?.parse::<LitStr>()?.value())
            } else {
                None
            };
            match key.as_str() {
                "rename_all" => out.rename_all = value,
                "rename" => out.rename = value,
                "default" => out.default = true,
                "flatten" => out.flatten = true,
                "other" => out.other = true,
                // Serialisation-only or bound attributes.
                "bound" | "skip_serializing_if" => {}
                _ => return Err(meta.error("FromJson does not support this serde attribute")),
            }
            Ok(())
        })?;
    }
    Ok(out)
}

fn words(name: &str) -> Vec<String> {
    // snake_case field names and CamelCase variant names.
    let mut words = Vec::new();
    let mut current = String::new();
    for c in name.chars() {
        if c == '_' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
        } else if c.is_uppercase() && !current.is_empty() {
            words.push(std::mem::take(&mut current));
            current.push(c);
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn rename(name: &str, rule: Option<&str>) -> syn::Result<String> {
    let words = words(name);
    Ok(match rule {
        None => name.to_owned(),
        Some("camelCase") => words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let w = w.to_lowercase();
                if i == 0 {
                    w
                } else {
                    let mut chars = w.chars();
                    chars
                        .next()
                        .map(|c| c.to_uppercase().chain(chars).collect())
                        .unwrap_or_default()
                }
            })
            .collect(),
        Some("SCREAMING_SNAKE_CASE") => words
            .iter()
            .map(|w| w.to_uppercase())
            .collect::<Vec<_>>()
            .join("_"),
        Some(other) => {
            return Err(syn::Error::new(
                proc_macro2::Span::call_site(),
                format!("FromJson does not support rename_all = {other:?}"),
            ));
        }
    })
}

fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    let container = serde_attrs(&input.attrs)?;
    if container.default || container.flatten || container.other || container.rename.is_some() {
        return Err(syn::Error::new_spanned(
            name,
            "FromJson supports only rename_all (and bound) on the type itself",
        ));
    }
    let mut generics = input.generics.clone();
    let type_params: Vec<_> = generics.type_params().map(|p| p.ident.clone()).collect();
    {
        let where_clause = generics.make_where_clause();
        for param in &type_params {
            where_clause
                .predicates
                .push(syn::parse_quote!(#param: ::schema::json::FromJson));
        }
    }
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();

    match &input.data {
        Data::Struct(data) => {
            let Fields::Named(fields) = &data.fields else {
                return Err(syn::Error::new_spanned(
                    name,
                    "FromJson supports structs with named fields",
                ));
            };
            let mut inits = Vec::new();
            for field in &fields.named {
                let attrs = serde_attrs(&field.attrs)?;
                let ident = field
                    .ident
                    .as_ref()
                    .ok_or_else(|| syn::Error::new_spanned(field, "FromJson needs named fields"))?;
                let ty = &field.ty;
                let init = if attrs.flatten {
                    quote!(<#ty as ::schema::json::FromJsonObject>::from_object(map)?)
                } else {
                    let key = match attrs.rename {
                        Some(key) => key,
                        None => {
                            rename(&ident.unraw().to_string(), container.rename_all.as_deref())?
                        }
                    };
                    if attrs.default {
                        quote!(::schema::json::field_or_default::<#ty>(map, #key)?)
                    } else {
                        quote!(::schema::json::field::<#ty>(map, #key)?)
                    }
                };
                inits.push(quote!(#ident: #init));
            }
            Ok(quote! {
                impl #impl_generics ::schema::json::FromJsonObject for #name #ty_generics #where_clause {
                    fn from_object(
                        map: &mut ::schema::json::Object,
                    ) -> ::core::result::Result<Self, ::schema::json::JsonError> {
                        ::core::result::Result::Ok(Self { #(#inits),* })
                    }
                }
                impl #impl_generics ::schema::json::FromJson for #name #ty_generics #where_clause {
                    fn from_json(
                        value: ::schema::json::Value,
                    ) -> ::core::result::Result<Self, ::schema::json::JsonError> {
                        ::schema::json::from_object(value)
                    }
                }
            })
        }
        Data::Enum(data) => {
            let mut arms = Vec::new();
            let mut fallback = quote!(::core::option::Option::None);
            for variant in &data.variants {
                if !matches!(variant.fields, Fields::Unit) {
                    return Err(syn::Error::new_spanned(
                        variant,
                        "FromJson supports enums of unit variants",
                    ));
                }
                let attrs = serde_attrs(&variant.attrs)?;
                let ident = &variant.ident;
                if attrs.other {
                    fallback = quote!(::core::option::Option::Some(Self::#ident));
                    continue;
                }
                let text = match attrs.rename {
                    Some(text) => text,
                    None => rename(&ident.to_string(), container.rename_all.as_deref())?,
                };
                arms.push(quote!(#text => ::core::option::Option::Some(Self::#ident)));
            }
            let expected = format!("a {name}");
            Ok(quote! {
                impl #impl_generics ::schema::json::FromJson for #name #ty_generics #where_clause {
                    fn from_json(
                        value: ::schema::json::Value,
                    ) -> ::core::result::Result<Self, ::schema::json::JsonError> {
                        ::schema::json::from_str_with(value, #expected, |text: &str| match text {
                            #(#arms,)*
                            _ => #fallback,
                        })
                    }
                }
            })
        }
        Data::Union(_) => Err(syn::Error::new_spanned(
            name,
            "FromJson does not support unions",
        )),
    }
}
