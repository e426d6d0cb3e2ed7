"""Request and response models (pydantic), layered Base / Create / Update / Public per resource."""
