//! Terraform module directories as AWS projects write them: `variables.tf` (types, defaults,
//! validations), `main.tf` (locals with merge/format/lookup/conditionals/for expressions,
//! data sources), one to four more files of resources (count and for_each, dynamic blocks,
//! nested blocks, string templates, `jsonencode` and heredoc JSON policies, lifecycle blocks),
//! `outputs.tf`, and a `terraform.tfvars` setting some of the variables.

use std::fmt::Write as _;

use crate::rng::Rng;

/// The files of one module directory: `(name, text)`, `.tf` files in path order, then
/// `terraform.tfvars`.
pub fn generate(rng: &mut Rng, index: u64) -> Vec<(String, String)> {
    let name = super::app_name(rng);
    let env = rng.pick(super::ENVIRONMENTS);
    // The resource groups this module declares, each in its own file or in main.tf.
    let groups =
        [Group::Network, Group::Security, Group::Storage, Group::Compute, Group::Database, Group::Iam];
    let count = rng.between(1, 4);
    let first = rng.below(groups.len());
    let chosen: Vec<Group> = (0..count).map(|g| groups[(first + g) % groups.len()]).collect();
    // How many copies of each group's resources: the module's size, 5 to 40 KB.
    let copies = rng.between(1, 4);

    let mut main = String::with_capacity(8192);
    locals(rng, &mut main, &name, env);
    let mut files: Vec<(String, String)> = Vec::new();
    let separate = rng.chance(70);
    for (g, &group) in chosen.iter().enumerate() {
        let mut text = String::with_capacity(8192);
        for copy in 0..copies {
            group.write(rng, &mut text, copy);
        }
        // At most six `.tf` files: main, variables, outputs and three more.
        if separate && g < 3 {
            files.push((format!("{}.tf", group.file()), text));
        } else {
            main.push('\n');
            main.push_str(&text);
        }
    }
    files.push(("main.tf".to_owned(), main));
    files.push(("variables.tf".to_owned(), variables(rng, &name)));
    files.push(("outputs.tf".to_owned(), outputs(&chosen)));
    if files.len() < 6 && rng.chance(60) {
        files.push(("versions.tf".to_owned(), versions(rng, &name, index)));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.push(("terraform.tfvars".to_owned(), tfvars(rng, &name, env)));
    files
}

#[derive(Clone, Copy)]
enum Group {
    Network,
    Security,
    Storage,
    Compute,
    Database,
    Iam,
}

impl Group {
    fn file(self) -> &'static str {
        match self {
            Group::Network => "network",
            Group::Security => "security_groups",
            Group::Storage => "storage",
            Group::Compute => "compute",
            Group::Database => "database",
            Group::Iam => "iam",
        }
    }

    fn write(self, rng: &mut Rng, out: &mut String, copy: usize) {
        let suffix = if copy == 0 { String::new() } else { format!("_{copy}") };
        match self {
            Group::Network => network(rng, out, &suffix),
            Group::Security => security(rng, out, &suffix),
            Group::Storage => storage(rng, out, &suffix),
            Group::Compute => compute(rng, out, &suffix),
            Group::Database => database(rng, out, &suffix),
            Group::Iam => iam(rng, out, &suffix),
        }
    }
}

fn versions(rng: &mut Rng, name: &str, index: u64) -> String {
    format!(
        r#"terraform {{
  required_version = ">= 1.5.0"

  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "~> 5.{}"
    }}
    random = {{
      source  = "hashicorp/random"
      version = ">= 3.5"
    }}
  }}

  backend "s3" {{
    bucket         = "example-terraform-state"
    key            = "{name}/{index}/terraform.tfstate"
    region         = "eu-west-1"
    dynamodb_table = "terraform-locks"
    encrypt        = true
  }}
}}

provider "aws" {{
  region = var.region

  default_tags {{
    tags = local.common_tags
  }}
}}
"#,
        rng.below(80)
    )
}

fn variables(rng: &mut Rng, name: &str) -> String {
    let mut out = String::with_capacity(4096);
    let _ = writeln!(
        out,
        r#"variable "name" {{
  description = "Name of the application; prefixes every resource."
  type        = string
  default     = "{name}"
}}

variable "environment" {{
  description = "Deployment environment."
  type        = string

  validation {{
    condition     = contains(["dev", "staging", "prod", "qa", "sandbox"], var.environment)
    error_message = "The environment must be one of dev, staging, prod, qa or sandbox."
  }}
}}

variable "region" {{
  type    = string
  default = "{}"
}}

variable "vpc_cidr" {{
  type    = string
  default = "10.{}.0.0/16"
}}

variable "availability_zones" {{
  type    = list(string)
  default = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
}}

variable "tags" {{
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {{}}
}}

variable "instance_count" {{
  type    = number
  default = {}
}}

variable "instance_type" {{
  type    = string
  default = "t3.{}"
}}

variable "enable_monitoring" {{
  type    = bool
  default = {}
}}

variable "log_retention_days" {{
  type    = number
  default = 30
}}

variable "ingress_rules" {{
  description = "Inbound rules of the service security group."
  type = list(object({{
    port        = number
    protocol    = optional(string, "tcp")
    cidr_blocks = list(string)
    description = string
  }}))
  default = [
    {{
      port        = 443
      cidr_blocks = ["0.0.0.0/0"]
      description = "HTTPS from anywhere"
    }},
  ]
}}

variable "buckets" {{
  type = map(object({{
    versioning = bool
    public     = bool
  }}))
  default = {{
    assets = {{ versioning = true, public = false }}
    logs   = {{ versioning = false, public = false }}
  }}
}}

variable "db_password" {{
  description = "Master password of the database; set through TF_VAR_db_password."
  type        = string
  sensitive   = true
  default     = null
}}"#,
        rng.pick(&["eu-west-1", "us-east-1", "eu-central-1", "ap-southeast-2"]),
        rng.below(250),
        rng.between(1, 6),
        rng.pick(&["micro", "small", "medium", "large"]),
        rng.pick(&["true", "false"]),
    );
    out
}

fn locals(rng: &mut Rng, out: &mut String, name: &str, env: &str) {
    let _ = writeln!(
        out,
        r#"data "aws_caller_identity" "current" {{}}

data "aws_region" "current" {{}}

locals {{
  name_prefix   = format("%s-%s", var.name, var.environment)
  is_production = var.environment == "prod"
  account_id    = data.aws_caller_identity.current.account_id

  common_tags = merge(var.tags, {{
    Application = var.name
    Environment = var.environment
    ManagedBy   = "terraform"
    Owner       = "{}"
    CostCenter  = lookup({{ prod = "cc-100", staging = "cc-200" }}, var.environment, "cc-999")
  }})

  instance_type  = local.is_production ? "m5.large" : var.instance_type
  instance_count = local.is_production ? max(var.instance_count, 2) : var.instance_count
  retention_days = lookup({{ prod = 365, staging = 90 }}, var.environment, var.log_retention_days)

  subnet_cidrs = [for i, az in var.availability_zones : cidrsubnet(var.vpc_cidr, 8, i)]
  bucket_names = {{ for key, bucket in var.buckets : key => "${{local.name_prefix}}-${{key}}" }}
  public_buckets = [for key, bucket in var.buckets : key if bucket.public]

  container_environment = [
    {{ name = "APP_ENV", value = var.environment }},
    {{ name = "LOG_LEVEL", value = local.is_production ? "info" : "debug" }},
    {{ name = "SERVICE", value = upper(replace(var.name, "-", "_")) }},
  ]
  labels = join(",", [for k, v in local.common_tags : "${{k}}=${{v}}"])
}}"#,
        rng.pick(super::TEAMS)
    );
    if rng.chance(40) {
        let _ = writeln!(
            out,
            r#"
# Shared with the {name} {env} dashboards.
module "labels" {{
  source  = "cloudposse/label/null"
  version = "0.25.0"

  namespace   = "example"
  stage       = var.environment
  name        = var.name
  tags        = local.common_tags
  label_order = ["namespace", "stage", "name"]
}}"#
        );
    }
}

fn network(rng: &mut Rng, out: &mut String, s: &str) {
    let _ = writeln!(
        out,
        r#"resource "aws_vpc" "main{s}" {{
  cidr_block           = var.vpc_cidr
  enable_dns_hostnames = true
  enable_dns_support   = true

  tags = merge(local.common_tags, {{
    Name = "${{local.name_prefix}}-vpc{s}"
  }})
}}

resource "aws_subnet" "private{s}" {{
  count             = length(var.availability_zones)
  vpc_id            = aws_vpc.main{s}.id
  cidr_block        = local.subnet_cidrs[count.index]
  availability_zone = element(var.availability_zones, count.index)

  tags = merge(local.common_tags, {{
    Name = format("%s-private-%d", local.name_prefix, count.index + 1)
    Tier = "private"
  }})
}}

resource "aws_subnet" "public{s}" {{
  count                   = length(var.availability_zones)
  vpc_id                  = aws_vpc.main{s}.id
  cidr_block              = cidrsubnet(var.vpc_cidr, 8, count.index + 100)
  availability_zone       = var.availability_zones[count.index]
  map_public_ip_on_launch = {}

  tags = {{
    Name = "${{local.name_prefix}}-public-${{count.index + 1}}"
    Tier = "public"
  }}
}}

resource "aws_internet_gateway" "main{s}" {{
  vpc_id = aws_vpc.main{s}.id
  tags   = local.common_tags
}}

resource "aws_route_table" "public{s}" {{
  vpc_id = aws_vpc.main{s}.id

  route {{
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main{s}.id
  }}

  tags = merge(local.common_tags, {{ Name = "${{local.name_prefix}}-public{s}" }})
}}

resource "aws_route_table_association" "public{s}" {{
  count          = length(aws_subnet.public{s})
  subnet_id      = aws_subnet.public{s}[count.index].id
  route_table_id = aws_route_table.public{s}.id
}}

resource "aws_flow_log" "main{s}" {{
  count                = var.enable_monitoring ? 1 : 0
  vpc_id               = aws_vpc.main{s}.id
  traffic_type         = "ALL"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow{s}[0].arn
  iam_role_arn         = "arn:aws:iam::${{local.account_id}}:role/flow-logs"
}}

resource "aws_cloudwatch_log_group" "flow{s}" {{
  count             = var.enable_monitoring ? 1 : 0
  name              = "/vpc/${{local.name_prefix}}{s}/flow"
  retention_in_days = local.retention_days
  kms_key_id        = null
}}
"#,
        rng.pick(&["true", "false"])
    );
}

fn security(rng: &mut Rng, out: &mut String, s: &str) {
    let _ = writeln!(
        out,
        r#"resource "aws_security_group" "service{s}" {{
  name        = "${{local.name_prefix}}-service{s}"
  description = "Traffic to the ${{var.name}} service"
  vpc_id      = aws_vpc.main.id

  dynamic "ingress" {{
    for_each = var.ingress_rules
    content {{
      description = ingress.value.description
      from_port   = ingress.value.port
      to_port     = ingress.value.port
      protocol    = ingress.value.protocol
      cidr_blocks = ingress.value.cidr_blocks
    }}
  }}

  ingress {{
    description = "SSH from the office"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["{}"]
  }}

  egress {{
    from_port        = 0
    to_port          = 0
    protocol         = "-1"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }}

  lifecycle {{
    create_before_destroy = true
  }}

  tags = merge(local.common_tags, {{ Name = "${{local.name_prefix}}-service{s}" }})
}}

resource "aws_security_group_rule" "database{s}" {{
  for_each = toset(["5432", "6379"])

  type                     = "ingress"
  from_port                = tonumber(each.value)
  to_port                  = tonumber(each.value)
  protocol                 = "tcp"
  security_group_id        = aws_security_group.service{s}.id
  source_security_group_id = aws_security_group.service{s}.id
  description              = "Port ${{each.key}} within the service"
}}

resource "aws_lb" "main{s}" {{
  name               = substr("${{local.name_prefix}}-alb{s}", 0, 32)
  internal           = {}
  load_balancer_type = "application"
  security_groups    = [aws_security_group.service{s}.id]
  subnets            = aws_subnet.public[*].id

  drop_invalid_header_fields = true
  enable_deletion_protection = local.is_production

  access_logs {{
    bucket  = "${{local.name_prefix}}-logs"
    prefix  = "alb{s}"
    enabled = var.enable_monitoring
  }}
}}

resource "aws_lb_listener" "https{s}" {{
  load_balancer_arn = aws_lb.main{s}.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = "arn:aws:acm:${{var.region}}:${{local.account_id}}:certificate/{}"

  default_action {{
    type = "fixed-response"

    fixed_response {{
      content_type = "text/plain"
      message_body = "not found"
      status_code  = "404"
    }}
  }}
}}
"#,
        rng.pick(&["203.0.113.0/24", "0.0.0.0/0", "10.0.0.0/8"]),
        rng.pick(&["true", "false"]),
        rng.hex(32)
    );
}

fn storage(rng: &mut Rng, out: &mut String, s: &str) {
    let _ = writeln!(
        out,
        r#"resource "aws_s3_bucket" "this{s}" {{
  for_each      = var.buckets
  bucket        = "${{local.bucket_names[each.key]}}{}"
  force_destroy = !local.is_production

  tags = merge(local.common_tags, {{
    Name    = local.bucket_names[each.key]
    Purpose = each.key
  }})
}}

resource "aws_s3_bucket_versioning" "this{s}" {{
  for_each = var.buckets
  bucket   = aws_s3_bucket.this{s}[each.key].id

  versioning_configuration {{
    status = each.value.versioning ? "Enabled" : "Suspended"
  }}
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "this{s}" {{
  for_each = var.buckets
  bucket   = aws_s3_bucket.this{s}[each.key].id

  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.storage{s}.arn
    }}
    bucket_key_enabled = true
  }}
}}

resource "aws_s3_bucket_public_access_block" "this{s}" {{
  for_each = {{ for key, bucket in var.buckets : key => bucket if !bucket.public }}
  bucket   = aws_s3_bucket.this{s}[each.key].id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}}

resource "aws_s3_bucket_policy" "tls_only{s}" {{
  for_each = var.buckets
  bucket   = aws_s3_bucket.this{s}[each.key].id

  policy = <<POLICY
{{
  "Version": "2012-10-17",
  "Statement": [
    {{
      "Sid": "DenyInsecureTransport",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:*",
      "Resource": [
        "arn:aws:s3:::${{local.bucket_names[each.key]}}{}",
        "arn:aws:s3:::${{local.bucket_names[each.key]}}{}/*"
      ],
      "Condition": {{ "Bool": {{ "aws:SecureTransport": "false" }} }}
    }}
  ]
}}
POLICY
}}

resource "aws_kms_key" "storage{s}" {{
  description             = "Encrypts the ${{var.name}} buckets"
  deletion_window_in_days = local.is_production ? 30 : 7
  enable_key_rotation     = {}

  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{
        Sid       = "AccountAdmin"
        Effect    = "Allow"
        Principal = {{ AWS = "arn:aws:iam::${{local.account_id}}:root" }}
        Action    = "kms:*"
        Resource  = "*"
      }},
    ]
  }})
}}
"#,
        s.replace('_', "-"),
        s.replace('_', "-"),
        s.replace('_', "-"),
        rng.pick(&["true", "true", "false"])
    );
}

fn compute(rng: &mut Rng, out: &mut String, s: &str) {
    let _ = writeln!(
        out,
        r#"data "aws_ami" "linux{s}" {{
  most_recent = true
  owners      = ["amazon"]

  filter {{
    name   = "name"
    values = ["al2023-ami-*-x86_64"]
  }}
}}

resource "aws_instance" "app{s}" {{
  count                  = local.instance_count
  ami                    = data.aws_ami.linux{s}.id
  instance_type          = local.instance_type
  subnet_id              = aws_subnet.private[count.index % length(aws_subnet.private)].id
  vpc_security_group_ids = [aws_security_group.service.id]
  monitoring             = var.enable_monitoring
  associate_public_ip_address = {}

  root_block_device {{
    volume_size = local.is_production ? 50 : 20
    volume_type = "gp3"
    encrypted   = true
  }}

  metadata_options {{
    http_endpoint = "enabled"
    http_tokens   = "{}"
  }}

  user_data = <<-EOT
    #!/bin/bash
    set -euo pipefail
    echo "ENVIRONMENT=${{var.environment}}" >> /etc/environment
    echo "SERVICE=${{var.name}}" >> /etc/environment
    systemctl enable --now ${{var.name}}.service
  EOT

  tags = merge(local.common_tags, {{
    Name = format("%s-app{s}-%02d", local.name_prefix, count.index + 1)
  }})
}}

resource "aws_ecs_task_definition" "app{s}" {{
  family                   = "${{local.name_prefix}}{s}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = local.is_production ? 1024 : 256
  memory                   = local.is_production ? 2048 : 512

  container_definitions = jsonencode([
    {{
      name         = var.name
      image        = "${{local.account_id}}.dkr.ecr.${{var.region}}.amazonaws.com/${{var.name}}:{}"
      essential    = true
      environment  = local.container_environment
      portMappings = [{{ containerPort = {}, protocol = "tcp" }}]
      logConfiguration = {{
        logDriver = "awslogs"
        options = {{
          awslogs-group         = "/ecs/${{local.name_prefix}}{s}"
          awslogs-region        = var.region
          awslogs-stream-prefix = "app"
        }}
      }}
    }},
  ])
}}

resource "aws_cloudwatch_log_group" "app{s}" {{
  name              = "/ecs/${{local.name_prefix}}{s}"
  retention_in_days = local.retention_days
}}

resource "aws_cloudwatch_metric_alarm" "cpu{s}" {{
  for_each            = {{ for i, instance in aws_instance.app{s} : i => instance.id }}
  alarm_name          = "${{local.name_prefix}}-cpu-${{each.key}}"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 3
  metric_name         = "CPUUtilization"
  namespace           = "AWS/EC2"
  period              = 300
  statistic           = "Average"
  threshold           = {}
  dimensions = {{
    InstanceId = each.value
  }}
}}
"#,
        rng.pick(&["true", "false"]),
        rng.pick(&["required", "optional"]),
        rng.hex(12),
        8000 + rng.below(1000),
        rng.pick(&["70", "80", "90"])
    );
}

fn database(rng: &mut Rng, out: &mut String, s: &str) {
    let _ = writeln!(
        out,
        r#"resource "aws_db_subnet_group" "main{s}" {{
  name       = "${{local.name_prefix}}-db{s}"
  subnet_ids = aws_subnet.private[*].id
}}

resource "aws_db_instance" "main{s}" {{
  identifier              = "${{local.name_prefix}}-db{s}"
  engine                  = "postgres"
  engine_version          = "16.{}"
  instance_class          = local.is_production ? "db.r6g.large" : "db.t4g.micro"
  allocated_storage       = {}
  max_allocated_storage   = local.is_production ? 1000 : 100
  db_subnet_group_name    = aws_db_subnet_group.main{s}.name
  vpc_security_group_ids  = [aws_security_group.service.id]
  username                = "app"
  password                = coalesce(var.db_password, "change-me-{}")
  multi_az                = local.is_production
  storage_encrypted       = {}
  publicly_accessible     = {}
  backup_retention_period = local.is_production ? 30 : 7
  deletion_protection     = local.is_production
  skip_final_snapshot     = !local.is_production
  final_snapshot_identifier = local.is_production ? "${{local.name_prefix}}-final{s}" : null

  performance_insights_enabled = var.enable_monitoring

  lifecycle {{
    ignore_changes = [password]
  }}

  tags = local.common_tags
}}

resource "aws_elasticache_replication_group" "cache{s}" {{
  replication_group_id       = "${{local.name_prefix}}-cache{s}"
  description                = "Cache of ${{var.name}}"
  node_type                  = "cache.t4g.small"
  num_cache_clusters         = local.is_production ? 2 : 1
  transit_encryption_enabled = true
  at_rest_encryption_enabled = true
  automatic_failover_enabled = local.is_production
}}
"#,
        rng.below(5),
        rng.pick(&["20", "50", "100"]),
        rng.hex(8),
        rng.pick(&["true", "true", "false"]),
        rng.pick(&["false", "false", "true"])
    );
}

fn iam(rng: &mut Rng, out: &mut String, s: &str) {
    let _ = writeln!(
        out,
        r#"data "aws_iam_policy_document" "assume{s}" {{
  statement {{
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {{
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com", "ec2.amazonaws.com"]
    }}

    condition {{
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }}
  }}
}}

resource "aws_iam_role" "task{s}" {{
  name               = "${{local.name_prefix}}-task{s}"
  assume_role_policy = data.aws_iam_policy_document.assume{s}.json
  tags               = local.common_tags
}}

resource "aws_iam_role" "execution{s}" {{
  name = "${{local.name_prefix}}-execution{s}"

  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = {{ Service = "ecs-tasks.amazonaws.com" }}
      }},
    ]
  }})
}}

# Reads the secrets the containers start with.
resource "aws_iam_role_policy" "secrets{s}" {{
  name = "read-secrets"
  role = aws_iam_role.execution{s}.id

  policy = <<EOF
{{
  "Version": "2012-10-17",
  "Statement": [
    {{
      "Sid": "ReadSecrets",
      "Effect": "Allow",
      "Action": ["secretsmanager:GetSecretValue", "kms:Decrypt"],
      "Resource": "arn:aws:secretsmanager:${{var.region}}:${{local.account_id}}:secret:${{var.name}}/*"
    }},
    {{
      "Effect": "Allow",
      "Action": "{}",
      "Resource": "*"
    }}
  ]
}}
EOF
}}

resource "aws_iam_role_policy_attachment" "managed{s}" {{
  for_each   = toset([
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
  ])
  role       = aws_iam_role.execution{s}.name
  policy_arn = each.value
}}
"#,
        rng.pick(&["logs:CreateLogStream", "s3:*", "*", "ssm:GetParameters"])
    );
}

fn outputs(groups: &[Group]) -> String {
    let mut out = String::from(
        r#"output "name_prefix" {
  description = "The prefix of every resource name."
  value       = local.name_prefix
}

output "tags" {
  value = local.common_tags
}
"#,
    );
    for group in groups {
        let text = match group {
            Group::Network => {
                "\noutput \"vpc_id\" {\n  value = aws_vpc.main.id\n}\n\noutput \"private_subnet_ids\" {\n  value = aws_subnet.private[*].id\n}\n"
            }
            Group::Security => "\noutput \"alb_dns_name\" {\n  value = aws_lb.main.dns_name\n}\n",
            Group::Storage => {
                "\noutput \"bucket_arns\" {\n  value = { for key, bucket in aws_s3_bucket.this : key => bucket.arn }\n}\n"
            }
            Group::Compute => "\noutput \"instance_ids\" {\n  value = aws_instance.app[*].id\n}\n",
            Group::Database => {
                "\noutput \"database_endpoint\" {\n  value     = aws_db_instance.main.endpoint\n  sensitive = true\n}\n"
            }
            Group::Iam => "\noutput \"task_role_arn\" {\n  value = aws_iam_role.task.arn\n}\n",
        };
        out.push_str(text);
    }
    out
}

fn tfvars(rng: &mut Rng, name: &str, env: &str) -> String {
    let mut out = String::with_capacity(1024);
    let _ = writeln!(out, "name        = \"{name}\"\nenvironment = \"{env}\"");
    if rng.chance(50) {
        let _ = writeln!(
            out,
            "instance_count = {}\ninstance_type  = \"t3.{}\"",
            rng.between(1, 8),
            rng.pick(&["small", "medium", "large"])
        );
    }
    if rng.chance(50) {
        out.push_str("enable_monitoring = true\n");
    }
    let _ = writeln!(
        out,
        "\ntags = {{\n  Team       = \"{}\"\n  CostCenter = \"{}\"\n  Repository = \"github.com/example/{name}\"\n}}",
        rng.pick(super::TEAMS),
        rng.between(1000, 9999)
    );
    if rng.chance(60) {
        let _ = writeln!(
            out,
            "\ningress_rules = [\n  {{\n    port        = 443\n    cidr_blocks = [\"0.0.0.0/0\"]\n    description = \"HTTPS\"\n  }},\n  {{\n    port        = {}\n    protocol    = \"tcp\"\n    cidr_blocks = [\"10.0.0.0/8\", \"172.16.0.0/12\"]\n    description = \"Internal API\"\n  }},\n]",
            8000 + rng.below(1000)
        );
    }
    if rng.chance(50) {
        out.push_str(
            "\nbuckets = {\n  assets  = { versioning = true, public = true }\n  uploads = { versioning = true, public = false }\n  logs    = { versioning = false, public = false }\n}\n",
        );
    }
    out
}
